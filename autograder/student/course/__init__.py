"""The course's helpers: experiments on two moons and feature-map demos; released to students."""
