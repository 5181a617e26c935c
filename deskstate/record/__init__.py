"""``deskstate record``: capture a live desk from a browser into a log (``deskstate[record]``).

- ``recorder.js``: the snippet a page beside the desk includes; it sends the desk's events here;
- :mod:`deskstate.record.protocol`: what the snippet sends and how each record is checked;
- :mod:`deskstate.record.log`: the JSON Lines log the receiver appends to, a batch at a time;
- :mod:`deskstate.record.receiver`: a batch received, checked, stored once, and answered;
- :mod:`deskstate.record.server`: the HTTP face of the receiver (Starlette on uvicorn).

Only :mod:`deskstate.record.server` imports the web libraries; the command line imports it only for
``record``.
"""
