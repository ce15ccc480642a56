"""Display: the lobby TV (大厅综合屏) and the window screens (窗口屏), their Socket.IO handlers and
the registry of connected screens. ``register(app, socketio, hall)`` is called by the composition root;
``display.voice`` (the voice pack tools) needs none of it and imports nothing of the server."""
