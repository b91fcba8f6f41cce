"""Program tables (the 1:1 slice adds them)."""
