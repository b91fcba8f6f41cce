"""Core features written as plugins: registered like any installed plugin, marked ``trylast``."""
