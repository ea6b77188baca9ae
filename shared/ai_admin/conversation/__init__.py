"""Answering a client's turn: debounce, transcript, the reply decision and its delivery."""
