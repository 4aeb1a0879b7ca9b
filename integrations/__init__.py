"""What talks to the outside world: the local file store, Google Drive, Dropbox — one small interface."""
