"""course_utils.plots: each figure shows its data, has a title and uses class names."""

import os
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils import plots
from course_utils.data import CLASSES
from tools.notebooks import teaching_notebooks


def titles(fig):
    return [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]


def test_show_images_titles_with_class_names_and_marks_mistakes():
    images = torch.rand(5, 28, 28)
    fig = plots.show_images(images, labels=[0, 1, 2, 3, 9], title="grid")
    assert "grid" in titles(fig) and "Ankle boot" in titles(fig) and "T-shirt/top" in titles(fig)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), images[0].numpy())
    fig = plots.show_images(images, labels=[0, 1, 2, 3, 9], preds=[0, 1, 2, 3, 8])
    assert fig.axes[4].title.get_color() == plots.WRONG_TEXT and fig.axes[0].title.get_color() == plots.RIGHT_TEXT


def test_feature_maps_and_kernels_show_every_channel_and_the_shape():
    fig = plots.show_feature_maps(torch.randn(1, 6, 28, 28), image=torch.rand(1, 32, 32))
    assert sum(bool(ax.images) for ax in fig.axes) == 7 and "(6, 28, 28)" in fig._suptitle.get_text()
    fig = plots.show_kernels(torch.randn(6, 1, 5, 5))
    assert sum(bool(ax.images) for ax in fig.axes) == 6 and "(6, 1, 5, 5)" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        plots.show_feature_maps(torch.randn(5))


def test_curves_confusion_mistakes_and_probabilities():
    fig = plots.plot_curves({"train loss": [2.3, 1.0, 0.5]}, title="loss")
    assert fig.axes[0].get_xlabel() == "epoch" and list(fig.axes[0].lines[0].get_ydata()) == [2.3, 1.0, 0.5]
    matrix = torch.eye(10, dtype=torch.int64) * 7
    fig = plots.plot_confusion_matrix(matrix)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(CLASSES)
    assert ax.get_ylabel() == "true class" and ax.get_xlabel() == "predicted class"
    fig = plots.show_mistakes(torch.rand(4, 1, 28, 28), torch.tensor([0, 1, 2, 3]), torch.tensor([0, 5, 2, 3]))
    assert sum(bool(a.images) for a in fig.axes) == 1 and "Sandal" in titles(fig)[0]
    probs = torch.softmax(torch.arange(10.0), 0)
    fig = plots.plot_probabilities(torch.rand(28, 28), probs, label=9)
    assert "Ankle boot" in fig.axes[1].get_title() and fig.axes[1].get_title().endswith("right")


def test_probabilities_mark_the_true_class_and_say_what_the_colours_mean():
    probs = torch.softmax(torch.arange(10.0), 0)  # predicts class 9, Ankle boot
    fig = plots.plot_probabilities(torch.rand(28, 28), probs, label=0, title="net")
    ax = fig.axes[1]
    assert ax.get_title() == f"net: Ankle boot ({probs[9]:.0%}), wrong"
    bars = ax.patches
    assert bars[0].get_linewidth() == 2 and bars[0].get_edgecolor()[:3] == (0.0, 0.0, 0.0)  # the true class
    assert bars[9].get_facecolor() != bars[1].get_facecolor()  # the prediction stands out
    assert ax.get_yticklabels()[0].get_fontweight() == "bold"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "prediction, wrong" and legend[1].startswith("true class")
    unlabelled = plots.plot_probabilities(torch.rand(28, 28), probs).axes[1]
    assert unlabelled.get_title() == f"Prediction: Ankle boot ({probs[9]:.0%})"
    assert len(unlabelled.get_legend().get_texts()) == 1
    with pytest.raises(ValueError, match="10 probabilities"):
        plots.plot_probabilities(torch.rand(28, 28), torch.rand(3))


def test_to_numpy_image_unnormalizes_and_rejects_batches():
    img = torch.zeros(1, 32, 32)
    assert plots.to_numpy_image(img, unnormalize=True)[0, 0] == pytest.approx(0.2860)
    with pytest.raises(ValueError, match="one grey image"):
        plots.to_numpy_image(torch.zeros(2, 1, 28, 28))


def test_feature_maps_use_a_diverging_map_centred_at_0_when_values_have_both_signs():
    signed = plots.show_feature_maps(torch.tensor([[[-2.0, 1.0], [0.5, 0.0]]]))
    image = next(ax for ax in signed.axes if ax.images).images[0]
    assert image.get_cmap().name == "RdBu_r" and image.get_clim() == (-2.0, 2.0)
    bar = next(ax for ax in signed.axes if ax.get_label() == "colorbar")
    assert "0" in bar.get_ylabel()
    relu = plots.show_feature_maps(torch.tensor([[[0.0, 1.0], [0.5, 3.0]]]))
    image = next(ax for ax in relu.axes if ax.images).images[0]
    assert image.get_cmap().name == "viridis" and image.get_clim() == (0.0, 3.0)
    assert next(ax for ax in relu.axes if ax.get_label() == "colorbar").get_ylabel() == "activation"
    forced = plots.show_feature_maps(torch.tensor([[[0.0, 1.0], [0.5, 3.0]]]), signed=True)
    assert next(ax for ax in forced.axes if ax.images).images[0].get_clim() == (-3.0, 3.0)


def test_kernels_are_centred_at_0_with_a_colour_bar():
    fig = plots.show_kernels(torch.tensor([[[[-1.0, 0.5], [0.0, 0.25]]]]))
    image = next(ax for ax in fig.axes if ax.images).images[0]
    assert image.get_clim() == (-1.0, 1.0)
    assert image.get_cmap().name == plots.DIVERGING_CMAP  # the same colours as signed feature maps
    assert any(ax.get_label() == "colorbar" and ax.get_ylabel() == "weight" for ax in fig.axes)


def _dashes(line):
    """A line's dash pattern as drawn: (offset, on-off sequence), (0, None) for a solid line."""
    return line._unscaled_dash_pattern


@pytest.mark.parametrize("count", [3, 5, 8])
def test_curves_are_told_apart_by_line_style_and_marker(count):
    """Up to eight series: each has a line style and a marker of its own (the fifth is not a second solid line)."""
    fig = plots.plot_curves({f"series {i}": [1, 2, 3] for i in range(count)})
    lines = fig.axes[0].lines
    assert len(lines) == count
    assert len({_dashes(line) for line in lines}) == count and len({line.get_marker() for line in lines}) == count
    assert all(line.get_markerfacecolor() == "none" for line in lines)  # hollow: overlapping markers both show


def test_curve_styles_are_distinct_pairs_beyond_eight_series():
    pairs = [(str(style["linestyle"]), style["marker"]) for style in map(plots.curve_style, range(64))]
    assert len(set(pairs)) == 64


def test_image_colour_bar_says_what_the_values_are():
    fig = plots.show_image(torch.zeros(1, 32, 32), title="x", colorbar=True)
    assert fig.axes[-1].get_ylabel() == "pixel value"
    fig = plots.show_image(torch.zeros(1, 32, 32), colorbar=True, colorbar_label="normalised pixel value")
    assert fig.axes[-1].get_ylabel() == "normalised pixel value"


@pytest.mark.parametrize("channels", [1, 6, 16])
def test_colour_bar_label_stays_inside_the_saved_figure(channels):
    """The explorers save their figures without bbox_inches="tight": the bar's label must not be cut off."""
    fig = plots.show_feature_maps(torch.rand(channels, 10, 10), image=torch.rand(32, 32))
    fig.canvas.draw()
    bar = next(ax for ax in fig.axes if ax.get_label() == "colorbar")
    label = bar.yaxis.label.get_window_extent()
    assert bar.get_ylabel() == "activation" and label.x1 <= fig.bbox.x1


def test_epoch_axes_have_whole_number_ticks():
    fig = plots.plot_curves({"validation accuracy": [0.8, 0.85]}, xlabel="epoch")
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 2]
    assert ticks and all(float(t).is_integer() for t in ticks)
    fig.clf()


# --------------------------------------------------------------------------- descriptions (alt text)


def sentences(text: str) -> int:
    return text.count(". ") + text.endswith(".")


def test_describe_says_title_axes_and_kind_of_every_plotting_function():
    """Each figure's description names what it draws, its title, its axes (or colour bar) and the notice."""
    probs = torch.softmax(torch.arange(10.0), 0)
    curves = plots.plot_curves(
        {"train loss": [2.3, 1.0, 0.5]}, title="Loss", ylabel="cross-entropy", notice="It falls."
    )
    text = plots.describe(curves)
    assert 'Line chart "Loss"' in text and '"epoch", from 1 to 3' in text and '"cross-entropy"' in text
    assert '"train loss" (3 points) from 2.3 to 0.5' in text and "It falls." in text
    cases = {
        plots.show_image(torch.rand(32, 32), title="one", colorbar=True): ["Image one", "32 × 32", "pixel value"],
        plots.show_images(torch.rand(3, 28, 28), [0, 1, 9], title="grid"): ["grid", "3 grey images", "Ankle boot"],
        plots.show_feature_maps(torch.randn(1, 6, 28, 28), title="maps"): ["maps", "6 feature maps", "centred at 0"],
        plots.show_kernels(torch.randn(6, 1, 5, 5), title="kernels"): ["kernels", "6 kernels", 'colour bar "weight"'],
        plots.plot_confusion_matrix(torch.eye(10) * 5 + 1, title="cm"): ["Heat map", "true class", "predicted class"],
        plots.show_mistakes(torch.rand(2, 28, 28), torch.tensor([0, 1]), torch.tensor([0, 5])): ["misclassified"],
        plots.plot_probabilities(torch.rand(28, 28), probs, label=0): ["bar chart", "softmax probability", "wrong"],
    }
    for fig, words in cases.items():
        text = plots.describe(fig)
        assert all(word in text for word in words), (words, text)
        assert sentences(text) >= 2, text


def test_diagram_and_explorer_figures_are_described():
    from course_utils import diagram
    from course_utils.explore.loss_curve import variant_losses_figure

    text = plots.describe(diagram.lenet_diagram(notice="fc1 holds most parameters."))
    assert "61,706 parameters" in text and "fc1 holds most parameters." in text and '"parameters"' in text
    fig = variant_losses_figure({"a": [2.3, 2.0], "b": [2.3, 2.3]}, notice="b stays flat.")
    assert '"a" (2 points) from 2.3 to 2' in plots.describe(fig) and "b stays flat." in plots.describe(fig)


def test_set_description_and_record_keep_no_attribute_on_the_figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 4], label="squares")
    ax.set(title="Squares", xlabel="n", ylabel="n²")
    before = set(vars(fig))
    plots.set_description(fig, "Squares grow fast")
    plots.set_description(fig, "Squares grow faster than n")  # replaces the first
    text = plots.describe(fig)
    assert text.startswith("Squares grow faster than n.") and "grow fast." not in text
    assert 'x: "n", from 0 to 2' in text and '"squares" (3 points) from 0 to 4' in text
    assert set(vars(fig)) == before  # kept in a WeakKeyDictionary, not on the figure
    plt.close(fig)


KERNEL_CELLS = [
    "import matplotlib.pyplot as plt\nfrom course_utils import plots, setup\ninfo = setup(verbose=False)",
    "plots.plot_curves({'loss': [2.0, 1.0]}, title='Loss', notice='It halves.');",
    "fig, ax = plt.subplots()\nax.plot([1, 2])\nax.set_title('Direct')\nplots.set_description(fig, 'Drawn with plt.')",
    "setup(verbose=False)  # again: changes nothing\n"
    "fig = plots.show_image(__import__('torch').rand(8, 8), title='img')\nplt.show()",
    "fig",
]


def test_the_formatter_puts_the_description_in_the_output_metadata_in_a_kernel():
    """In a real kernel, with a notebook's import order (pyplot before setup()), every figure carries its alt."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in KERNEL_CELLS]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # conftest's Agg: the kernel's own backend
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute(env=env)
    outputs = [[o for o in cell.outputs if "image/png" in o.get("data", {})] for cell in nb.cells]
    assert [len(o) for o in outputs] == [0, 1, 1, 1, 1]
    alts = [o[0].metadata["image/png"]["alt"] for o in outputs[1:]]
    assert alts[0].startswith('Line chart "Loss"') and "It halves." in alts[0]
    assert alts[1].startswith("Drawn with plt.") and 'Panel "Direct"' in alts[1]
    assert alts[2].startswith("Image img: 8 × 8 pixels") and alts[3] == alts[2]
    assert outputs[2][0].data["text/plain"] == alts[1]  # the text form of the figure is its description


@pytest.mark.parametrize("server", [False, True], ids=["headless", "jupyter-server"])
def test_in_jupyterlab_figures_also_come_as_html_with_alt_and_headless_runs_store_them_once(server):
    """JupyterLab writes no ``alt`` for a PNG: a kernel a Jupyter server started (``JPY_SESSION_NAME``) gets the
    figure as ``<img alt>`` too; a headless run (make execute, nbval) stores only the PNG with its alt."""
    import html

    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in KERNEL_CELLS[:2]]
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JPY_SESSION_NAME")}
    if server:
        env["JPY_SESSION_NAME"] = "notebooks/00_start_here.ipynb"
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute(env=env)
    (output,) = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    alt = output.metadata["image/png"]["alt"]
    assert alt.startswith('Line chart "Loss"')
    if server:
        assert f'alt="{html.escape(alt)}"' in output.data["text/html"]
        assert output.data["text/html"].startswith('<img src="data:image/png;base64,')
    else:
        assert "text/html" not in output.data


def test_what_to_notice_is_computed_from_the_data_by_each_drawing_function():
    """The description says what to notice, read from the data drawn: where a curve turns, the gap between
    training and validation, the most frequent mistake, the best and worst class, the strongest channel."""
    curves = plots.describe(plots.plot_curves({"train loss": [2.3, 1.0, 0.5, 0.4], "val loss": [2.3, 1.1, 0.7, 0.8]}))
    assert '"train loss" falls from 2.3 to 0.4;' in curves
    assert '"val loss" falls from 2.3 to 0.8, lowest at epoch 3 (0.7)' in curves
    assert 'at the end "val loss" lies 0.4 above "train loss"' in curves
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="data")
    ax.axvline(0, label="no effect")
    assert '"no effect", a vertical line at x = 0' in plots.describe(fig)  # not "from 0 to 1" (axes coordinates)
    percent = plots.describe(plots.plot_curves({"train acc": [80, 95], "val acc": [79, 91]}, ylabel="accuracy (%)"))
    assert 'at the end "val acc" lies 4 points below "train acc"' in percent  # a difference of percentages: points
    # a peak that reads the same as the last point is not said twice ("rises to 90.8, highest at ... (90.8)")
    flat_top = plots.describe(plots.plot_curves({"val acc": [85.9, 90.0, 90.81, 90.79]}))
    assert '"val acc" rises from 85.9 to 90.8.' in flat_top
    assert "highest at" not in flat_top
    names = ["input", "conv1", "fc1", "fc2"]
    layers = plots.plot_curves({"signal": [0.7, 1.2, 1.3, 1.1]}, xlabel="layer", xticks=names)
    assert '"signal" rises from 0.7 to 1.1, highest at fc1 (1.3)' in plots.describe(layers)  # named points, by name
    assert [t.get_text() for t in layers.axes[0].get_xticklabels()] == names
    labels, preds = torch.tensor([0, 1, 6, 6, 2, 6]), torch.tensor([0, 5, 0, 0, 4, 0])
    mistakes = plots.describe(plots.show_mistakes(torch.rand(6, 28, 28), labels, preds, max_images=2))
    assert "the first 2 of 5 misclassified images (of 6 in all)" in mistakes
    assert "the most frequent mistake is Shirt taken for T-shirt/top (3 of 5)" in mistakes
    assert "predictions are right" not in mistakes  # a gallery of mistakes counts no right answers
    grid = plots.describe(plots.show_images(torch.rand(4, 28, 28), [0, 1, 2, 1], preds=[0, 2, 2, 2]))
    assert "2 of 4 predictions are right; the most frequent mistake: Trouser taken for Pullover (2 times)" in grid
    matrix = torch.diag(torch.arange(10.0) + 1) + 1  # class 9 has the most right, class 0 the fewest
    confusion = plots.describe(plots.plot_confusion_matrix(matrix))
    assert "best recognised class is Ankle boot (55% of its images right), the worst T-shirt/top (18%)" in confusion
    assert "grid of 10 × 10 cells, each printed with its value" in confusion  # a table in colours, not pixels
    counts = torch.diag(torch.full((10,), 40)) + torch.nn.functional.one_hot(torch.tensor(6), 10) * 30
    assert "Shirt is the most over-called class: predicted 340 times for 70 images" in plots.describe(
        plots.plot_confusion_matrix(counts)
    )  # every class: 40 right, 30 called Shirt; so 70 images each, and Shirt called 9 × 30 + 70 times
    close = torch.zeros(10)
    close[[7, 9]] = torch.tensor([0.51, 0.49])  # predicted Sneaker, true Ankle boot
    drawn = plots.plot_probabilities(torch.rand(28, 28), close, label=9, title="Image 5, predicted")
    probs_text = plots.describe(drawn)
    assert probs_text.startswith("Image 5, predicted: Sneaker (51%), wrong. An image of an Ankle boot")
    assert "The true class, Ankle boot, gets 49%, the second highest; the other 8 classes are all near 0" in probs_text
    small_rest = torch.full((10,), 0.0075)
    small_rest[[7, 9]] = torch.tensor([0.67, 0.27])  # 67% + 27% + 8 × 0.75% = 100%
    said = plots.describe(plots.plot_probabilities(torch.rand(28, 28), small_rest, label=9))
    assert "the other 8 classes share 6.0%" in said  # tenths below 10%: the three parts add up when read aloud
    spread = torch.tensor([0.093, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.107, 0.1, 0.1])  # an untrained net's output
    even = plots.describe(plots.plot_probabilities(torch.rand(28, 28), spread, label=0))
    assert "all ten bars lie between 9% and 11%, nearly equal" in even
    maps = torch.zeros(3, 4, 4)
    maps[1, 0, 0], maps[2] = 5.0, 1.0
    text = plots.describe(plots.show_feature_maps(maps))
    assert "strongest channel is 1 (values up to 5 in size), the weakest channel 0, 0 everywhere" in text
    assert "65% of the values are exactly 0, and 1 channel is 0 everywhere" in text


#: what a figure-drawing cell calls so that its figure says what it shows: a drawing function of the course
#: (each records its summary and what to notice), an explorer, or plots.set_description for a plt figure
DESCRIBED_BY = re.compile(r"\b(plots\.\w+|diagram\.\w+|widgets\.\w+|set_description|\w+_figure|\w*[Ee]xplorer\w*)\(")


def figure_outputs(path):
    """Every figure output of a notebook: (cell index, the cell's source, its alt text or None)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                meta = output.get("metadata", {})
                yield index, cell.source, meta.get("image/png", {}).get("alt") or meta.get("alt")


@pytest.mark.parametrize("path", teaching_notebooks(), ids=lambda p: p.stem)
def test_every_figure_of_the_notebooks_has_a_description(path):
    """Every committed figure carries a real description (its alt): sentences, not nbconvert's placeholder,
    from a cell that says what the figure shows (a drawing function of the course, or set_description).

    Fails when the stored outputs predate the course's figure formatter: run make execute.
    """
    figures = list(figure_outputs(path))
    missing = [(index, alt) for index, _, alt in figures if not alt or len(alt.split()) < 8 or "." not in alt]
    assert not missing, f"{path.name}: figures without a description (cell, alt): {missing}; run make execute"
    unsaid = [index for index, source, _ in figures if not DESCRIBED_BY.search(source)]
    assert not unsaid, (
        f"{path.name}: cells {unsaid} draw a figure with plt alone, so its description has no sentence on what "
        "to notice: add plots.set_description(fig, ...)"
    )


def test_descriptions_read_well_aloud():
    """What a listener hears: plurals, numbers in words, log axes without a 0, each histogram and colour bar by
    its name, a flat line called flat, no repeated "(log scale)"."""
    grid = plots.describe(plots.show_images(torch.rand(3, 28, 28), [0, 1, 1]))
    assert "2 classes appear: T-shirt/top and Trouser" in grid and "classs" not in grid
    assert "1 class appears: Coat" in plots.describe(plots.show_images(torch.rand(2, 28, 28), [4, 4]))
    fig, ax = plt.subplots()
    ax.hist(np.linspace(0, 1, 1000), bins=10, histtype="stepfilled", label="before")
    ax.hist(np.linspace(-1, 2, 1000), bins=10, histtype="step", label="after")
    ax.set(yscale="log", ylabel="number of pixels (log scale)")
    text = plots.describe(fig)
    assert 'histograms "before", "after"' in text and "patches" not in text
    assert '"number of pixels (log scale)", from 0 ' not in text  # a log axis has no 0: its visible range
    fig, axes = plt.subplots(1, 3)
    plots.show_image(torch.rand(8, 8), ax=axes[0], colorbar=True)
    plots.show_image(torch.rand(8, 8) * 2 - 1, ax=axes[1], colorbar=True, colorbar_label="normalised value")
    shown = axes[2].imshow(np.zeros((8, 8)), cmap="RdBu_r", vmin=-2, vmax=2)
    fig.colorbar(shown, ax=axes[2], label="centred")
    text = plots.describe(fig)
    assert "3 colour bars:" in text and '"centred" from -2 to 2 (blue to white to red)' in text
    flat = plots.plot_curves({"no step": [2.31, 2.29, 2.33, 2.31]}, ylabel="loss (log scale)", logy=True)
    flat = plots.describe(flat)
    assert '"no step" stays near 2.31 (between 2.29 and 2.33)' in flat and "falls" not in flat
    assert flat.count("(log scale)") == 2  # once in the summary's y label, once in the panel's axis: not doubled
    assert plots.describe(plots.plot_curves({"big": [56_800.0, 1.0]})).count("56,800") >= 1  # not 5.68e+04
