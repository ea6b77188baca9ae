"""What the dialog engine does and reads with: resolvers, free times, bookings, the salon's facts."""
