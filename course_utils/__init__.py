"""course_utils: the plumbing of the hands-on PyTorch LeNet course.

One module per concern, each imported on demand (nothing runs at import); ARCHITECTURE.md maps them:

- ``course_utils.config``: quick mode (``COURSE_QUICK``) and the data folder (``COURSE_DATA``);
- ``course_utils.env``: seeding, the device and ``setup()``;
- ``course_utils.data``: Fashion-MNIST files, torchvision datasets, fast in-memory batches, the
  validation split;
- ``course_utils.plots`` and ``course_utils.diagram``: figures with titles and class names;
- ``course_utils.widgets`` and ``course_utils.explore``: the interactive explorers and their logic;
- ``course_utils.checks``: ``check_net``, ``check_train``, ``check_test`` (feedback on a learner's code);
- ``course_utils.reference``: the course's ``Net``, ``train``, ``test`` and ``predict``, generated
  from the notebooks' cells tagged ``export`` (``make export``): never edited by hand;
- ``course_utils.training``: the confusion matrix and per-class accuracy (06).

The network, the training loop and the test loop are taught, and typed, in the notebooks.
"""

from course_utils.env import setup

__all__ = ["setup"]
__version__ = "0.1.0"
