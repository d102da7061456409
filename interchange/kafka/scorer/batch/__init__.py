"""One batch's work in the scorer: messages read, columns decoded, scored by plan, outputs encoded."""
