"""course_utils: the plumbing of the hands-on PyTorch LeNet course.

One module per concern, each imported on demand (nothing runs at import):

- ``course_utils.env``: quick mode, seeding, the device and ``setup()``;
- ``course_utils.data``: Fashion-MNIST files, torchvision datasets and fast in-memory batches;
- ``course_utils.plots``: figures with titles and class names;
- ``course_utils.widgets`` and ``course_utils.explore``: the interactive explorers and their logic;
- ``course_utils.checks``: ``check_net``, ``check_train``, ``check_test`` (feedback on a learner's code);
- ``course_utils.exercises``: generates ``notebooks/exercises/`` from the teaching notebooks;
- ``course_utils.training``: reference copies of ``train`` and ``test``, once 05 and 06 teach them.

The network, the training loop and the test loop are *not* here: the notebooks teach them.
"""

from course_utils.env import setup

__all__ = ["setup"]
__version__ = "0.1.0"
