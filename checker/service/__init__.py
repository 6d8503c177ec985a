"""``imrcheck serve``: one ASGI app with a web page, a JSON API and a CDS Hooks service.

One concern per module: ``settings`` (configuration), ``auth`` (API token, CDS Hooks JWTs), ``checks`` (running
checks and reading uploads, shared by every front end), ``store`` (results kept for links), ``pages`` (HTML),
``web`` (the page's routes), ``api`` (JSON API), ``cpt`` (CPT code table), ``cds`` (CDS Hooks), ``limits``
(request size limit) and ``app`` (assembly, /health, /docs, start-up).
"""
