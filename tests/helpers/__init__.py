"""Test helpers shared by the test packages: fake Discord, test web site, documents."""
