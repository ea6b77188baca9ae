"""What the dialog engine acts and reads with, one module per act: resolvers, free times, bookings,
the salon's facts."""
