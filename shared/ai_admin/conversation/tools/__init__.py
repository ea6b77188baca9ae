"""What the dialog engine acts and looks things up with, one module per act."""
