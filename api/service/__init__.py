"""The gridpatrol REST service: storage, background plans, access control.

Start-up lives in one function, :func:`api.service.app.create_app`, which takes a
:class:`api.service.settings.Settings`; nothing here reads the environment or opens a database
at import time.
"""
