"""Hand-offs to a person: telling a salon's administrators, keeping the bot quiet while they have the
client, and closing the hand-off when they are done."""
