"""The course's helpers: experiments and demos."""
