"""Bot processes tests start with ``python -m tests.support.processes.<name>``, to kill or to run side by side."""
