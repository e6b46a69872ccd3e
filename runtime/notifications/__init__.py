"""Notifications (issue 17): messages in the person's list and SMS, written in the transaction of
the action that caused them and sent after it committed (outbox.py, delivery.py)."""
