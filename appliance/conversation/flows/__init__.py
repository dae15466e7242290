"""One object per conversation flow, each with its own steps; the engine routes to them."""
