"""Widgets and dialogs: passive, they render models and emit intents."""
