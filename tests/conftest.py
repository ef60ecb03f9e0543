import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded random generator, so every randomised test is repeatable."""
    return np.random.default_rng(seed=20200305)
