"""The application version, written into every access-log event."""

APP_VERSION = "0.1.0"
