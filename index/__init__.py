"""citebot's library: articles in, verbatim cited quotes out. Knows nothing of Discord."""
