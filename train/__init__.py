"""Training the reader (`assistant.reader`): the written questions, their candidate lists, the fit."""
