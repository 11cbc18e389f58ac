"""citebot's Discord bot and command line, a thin layer over `index`."""
