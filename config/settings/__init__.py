"""Settings: `base` holds everything; `local`, `test` and `production` override what differs."""
