"""Image views: shapes, ranges, per-sample randomness, reproducibility, and agreement with torchvision's ops."""

from __future__ import annotations

import pytest
import torch
import torchvision.transforms.v2.functional as TF

from anyclr.plugins.image.views.color_jitter import ColorJitter
from anyclr.plugins.image.views.color_map import apply_color_map, hue_matrix, then_grey
from anyclr.plugins.image.views.gaussian_blur import RandomGaussianBlur, blur_kernel_size, gaussian_blur
from anyclr.plugins.image.views.grayscale import RandomGrayscale
from anyclr.plugins.image.views.horizontal_flip import RandomHorizontalFlip
from anyclr.plugins.image.views.identity import IdentityViews
from anyclr.plugins.image.views.resized_crop import CropWindows, RandomResizedCrop
from anyclr.plugins.image.views.simclr import SimCLRViews
from anyclr.plugins.image.views.solarize import RandomSolarize


def images(b: int = 8, c: int = 3, size: int = 16, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (b, c, size, size), generator=g, dtype=torch.uint8)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_simclr_views_shape_dtype_range(channels: int, dtype: torch.dtype) -> None:
    x = images(c=channels, size=16)
    if dtype == torch.float32:
        x = x.float() / 255
    views = SimCLRViews(n_views=3, image_size=12, blur_prob=0.5, solarize_prob=0.5)(x)
    assert len(views) == 3
    for v in views:
        assert v.shape == (8, channels, 12, 12)
        assert v.dtype == torch.float32
        assert float(v.min()) >= 0.0 and float(v.max()) <= 1.0


def test_simclr_views_non_square_size_and_default_size() -> None:
    x = images(size=16)
    assert SimCLRViews(image_size=[8, 12])(x)[0].shape == (8, 3, 8, 12)
    assert SimCLRViews()(x)[0].shape == (8, 3, 16, 16)


def test_views_differ_per_sample_and_per_view() -> None:
    # The same image repeated over the batch: per-sample parameters must give different views.
    x = images(b=1).expand(16, -1, -1, -1).contiguous()
    a, b = SimCLRViews(image_size=16)(x)
    flat = a.flatten(1)
    assert torch.cdist(flat, flat).triu(1)[torch.triu_indices(16, 16, 1).unbind()].min() > 0
    assert not torch.equal(a, b)


def test_per_sample_parameters_differ() -> None:
    crop = RandomResizedCrop(32)
    windows = crop.sample(torch.zeros(64, 3, 32, 32)).boxes
    assert len({tuple(w.tolist()) for w in windows}) > 50
    factors = ColorJitter().sample(torch.zeros(64, 3, 1, 1))
    assert factors[:, 0].unique().numel() > 10


def test_seeded_views_are_reproducible() -> None:
    x = images()
    gen = SimCLRViews(image_size=16, solarize_prob=0.3)
    torch.manual_seed(5)
    first = gen(x)
    torch.manual_seed(5)
    second = gen(x)
    torch.manual_seed(6)
    third = gen(x)
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert not torch.equal(first[0], third[0])


def test_crop_windows_stay_inside_the_image() -> None:
    crop = RandomResizedCrop(16, scale=(0.08, 1.0))
    top, left, h, w = crop.sample(torch.zeros(500, 1, 20, 30)).boxes.unbind(1)
    assert bool((top >= 0).all() and (left >= 0).all() and (h >= 1).all() and (w >= 1).all())
    assert bool((top + h <= 20).all() and (left + w <= 30).all())
    area = h * w / 600
    assert float(area.min()) >= 0.05 and float(area.max()) <= 1.0


def test_full_window_crop_is_identity_and_flip_rides_along() -> None:
    x = images().float() / 255
    crop = RandomResizedCrop(16, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    windows = crop.sample(x)
    assert torch.allclose(crop.apply(x, windows), x, atol=1e-5)
    flip = torch.tensor([True, False] * 4)
    out = crop.apply(x, CropWindows(windows.boxes, flip))
    assert torch.allclose(out[0], x[0].flip(-1), atol=1e-5)
    assert torch.allclose(out[1], x[1], atol=1e-5)


def test_crop_rejects_bad_ranges() -> None:
    with pytest.raises(ValueError, match="scale"):
        RandomResizedCrop(8, scale=(0.5, 0.2))
    with pytest.raises(ValueError, match="flip_prob"):
        SimCLRViews(flip_prob=1.5)


def test_yiq_hue_keeps_luma_and_greys_and_turns_like_hsv() -> None:
    x = images(b=6).float() / 255
    shift = torch.tensor([-0.5, -0.1, 0.0, 0.05, 0.3, 0.5])
    m = hue_matrix(shift)
    out = torch.einsum("bij,bjhw->bihw", m, x)  # unclamped, to check the map itself
    assert torch.allclose(TF.rgb_to_grayscale(out), TF.rgb_to_grayscale(x), atol=1e-5)  # luma is kept
    assert torch.allclose(m[2], torch.eye(3), atol=1e-6)
    grey = torch.full((6, 3, 1, 1), 0.4)
    assert torch.allclose(torch.einsum("bij,bjhw->bihw", m, grey), grey, atol=1e-6)
    # Same direction as torchvision's HSV hue: a small positive shift turns red towards yellow (green rises).
    red = torch.tensor([0.8, 0.2, 0.2]).view(1, 3, 1, 1)
    ours = apply_color_map(red, hue_matrix(torch.tensor([0.05])), torch.zeros(1, 3)).flatten()
    theirs = TF.adjust_hue(red[0], 0.05).flatten()
    assert ours[1] > 0.2 and theirs[1] > 0.2 and ours[0] > ours[1] > ours[2]


def test_blur_matches_torchvision() -> None:
    x = images(b=4, size=12).float() / 255
    sigma = torch.tensor([0.1, 0.5, 1.0, 2.0])
    expected = torch.stack([TF.gaussian_blur(x[i], [5, 5], [float(sigma[i])] * 2) for i in range(4)])
    assert torch.allclose(gaussian_blur(x, sigma, 5), expected, atol=1e-5)


def test_blur_only_touches_selected_samples_and_handles_tiny_images() -> None:
    x = images(b=6, size=8).float() / 255
    blur = RandomGaussianBlur(3, p=1.0)
    sigma = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    out = blur.apply(x, sigma)
    assert torch.equal(out[0::2], x[0::2])
    assert not torch.allclose(out[1::2], x[1::2])
    assert RandomGaussianBlur(9, p=1.0)(images(b=2, size=4).float()).shape == (2, 3, 4, 4)
    assert blur_kernel_size(32) == 3 and blur_kernel_size(96) == 9 and blur_kernel_size(224) == 23


def test_color_jitter_neutral_factors_are_identity() -> None:
    x = images().float() / 255
    assert torch.allclose(ColorJitter().apply(x, torch.tensor([[1.0, 1.0, 1.0, 0.0]] * 8)), x, atol=1e-5)


def test_brightness_matches_torchvision() -> None:
    x = images(b=2).float() / 255
    out = ColorJitter().apply(x, torch.tensor([[1.3, 1.0, 1.0, 0.0], [0.7, 1.0, 1.0, 0.0]]))
    assert torch.allclose(out[0], TF.adjust_brightness(x[0], 1.3), atol=1e-6)
    assert torch.allclose(out[1], TF.adjust_brightness(x[1], 0.7), atol=1e-6)


def test_contrast_and_saturation_match_torchvision() -> None:
    x = images(b=1).float() / 255
    out = ColorJitter().apply(x, torch.tensor([[1.0, 0.6, 1.0, 0.0]]))
    assert torch.allclose(out[0], TF.adjust_contrast(x[0], 0.6), atol=1e-5)
    out = ColorJitter().apply(x, torch.tensor([[1.0, 1.0, 1.4, 0.0]]))
    assert torch.allclose(out[0], TF.adjust_saturation(x[0], 1.4), atol=1e-5)


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [2, 1, 0, 3], [1, 2, 0, 3], [1, 0, 2, 3]])
def test_composed_colour_map_matches_sequential_torchvision(order: list[int]) -> None:
    # Mid-range pixels and mild factors keep every step inside [0, 1], where one map equals the sequence
    # in any order (without clamping the steps commute).
    g = torch.Generator().manual_seed(1)
    x = 0.35 + 0.3 * torch.rand(3, 3, 10, 10, generator=g)
    factors = [[1.1, 0.7, 1.2, 0.0], [0.8, 1.3, 0.6, 0.0], [1.0, 0.9, 1.1, 0.0]]
    out = ColorJitter().apply(x, torch.tensor(factors))
    steps = (TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation)
    for i, f in enumerate(factors):
        expected = x[i]
        for step in order[:3]:
            expected = steps[step](expected, f[step])
        assert torch.allclose(out[i], expected, atol=1e-5)


def test_jitter_factors_are_per_sample() -> None:
    factors = ColorJitter(p=0.5).sample(torch.zeros(512, 3, 1, 1))
    assert factors.shape == (512, 4)
    neutral = (factors == torch.tensor([1.0, 1.0, 1.0, 0.0])).all(dim=1)
    assert 150 < int(neutral.sum()) < 360  # about half are left alone
    jittered = factors[~neutral]
    assert all(jittered[:, i].unique().numel() > 100 for i in range(4))
    assert float(jittered[:, :3].min()) >= 0.6 and float(jittered[:, :3].max()) <= 1.4
    assert float(jittered[:, 3].abs().max()) <= 0.1
    # The same image repeated: every copy is coloured differently.
    x = (images(b=1).float() / 255).expand(16, -1, -1, -1)
    out = ColorJitter(p=1.0)(x).flatten(1)
    assert torch.cdist(out, out).triu(1)[torch.triu_indices(16, 16, 1).unbind()].min() > 0


def test_grey_after_colour_map_is_luma() -> None:
    x = 0.35 + 0.3 * images(b=4).float() / 255
    jitter = ColorJitter()
    params = torch.tensor([[1.1, 0.8, 1.2, 0.05]] * 4)
    matrix, offset = jitter.color_map(params, x.mean(dim=(2, 3)))
    mask = torch.tensor([True, False, True, False])
    out = apply_color_map(x, *then_grey(matrix, offset, mask))
    coloured = jitter.apply(x, params)
    assert torch.allclose(out[~mask], coloured[~mask], atol=1e-6)
    assert torch.allclose(out[mask], TF.rgb_to_grayscale(coloured[mask], 3), atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_color_jitter_keeps_dtype(dtype: torch.dtype) -> None:
    x = (images(b=4).float() / 255).to(dtype)
    out = ColorJitter(p=1.0)(x)
    assert out.dtype == dtype and out.shape == x.shape
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_one_channel_jitter_changes_only_brightness_contrast() -> None:
    x = images(c=1).float() / 255
    out = ColorJitter(p=1.0)(x)
    assert out.shape == x.shape and not torch.allclose(out, x)
    # Contrast then brightness on one channel, as torchvision does it on a grey image.
    out = ColorJitter().apply(x[:1], torch.tensor([[1.2, 0.7, 1.5, 0.1]]))
    assert torch.allclose(out[0], TF.adjust_brightness(TF.adjust_contrast(x[0], 0.7), 1.2), atol=1e-5)
    assert torch.equal(RandomGrayscale(p=1.0)(x), x)  # grayscale is a no-op on 1 channel


def test_grayscale_flip_solarize() -> None:
    x = images().float() / 255
    grey = RandomGrayscale(p=1.0)(x)
    assert torch.allclose(grey[:, 0], grey[:, 1]) and torch.allclose(grey[:, 0], grey[:, 2])
    assert torch.allclose(grey[:, :1], TF.rgb_to_grayscale(x), atol=1e-6)
    assert torch.equal(RandomHorizontalFlip(p=1.0)(x), x.flip(-1))
    assert torch.equal(RandomHorizontalFlip(p=0.0)(x), x)
    sol = RandomSolarize(0.5, p=1.0)(x)
    assert torch.equal(sol, torch.where(x >= 0.5, 1 - x, x))
    assert torch.equal(RandomSolarize(0.5, p=0.0)(x), x)


def test_identity_views() -> None:
    x = images()
    views = IdentityViews(n_views=2)(x)
    assert len(views) == 2 and torch.equal(views[0], x.float() / 255)


def test_views_reject_non_image_input() -> None:
    with pytest.raises(ValueError, match=r"\[B, C, H, W\]"):
        SimCLRViews()(torch.zeros(4, 16))
    with pytest.raises(TypeError, match="uint8"):
        SimCLRViews()(torch.zeros(2, 1, 4, 4, dtype=torch.int32))


def test_cpu_chunks_match_whole_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyclr.plugins.image.views.simclr as simclr

    x = images(b=10)
    gen = SimCLRViews(image_size=16, blur_prob=0.5, solarize_prob=0.5)
    torch.manual_seed(3)
    whole = gen(x)
    monkeypatch.setattr(simclr, "CHUNK_PIXELS", 3 * 16 * 16)  # three images per chunk and thread
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert simclr.chunk_size(torch.device("cpu"), (16, 16)) == 3
    torch.manual_seed(3)
    chunked = gen(x)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(whole, chunked, strict=True))


def test_sub_batch_ops_leave_the_input_alone_unless_in_place() -> None:
    x = images(b=4).float() / 255
    before = x.clone()
    mask = torch.tensor([True, False, True, False])
    out = RandomSolarize(0.5).apply(x, mask)
    assert torch.equal(x, before) and not torch.equal(out, x)
    blurred = RandomGaussianBlur(3).apply(x, torch.tensor([0.0, 1.0, 0.0, 0.0]))
    assert torch.equal(x, before) and not torch.equal(blurred, x)
    same = RandomSolarize(0.5).apply(x, mask, inplace=True)
    assert same is x and torch.equal(x, out)


def test_masked_whole_batch_path_matches_gathered_subsets(monkeypatch: pytest.MonkeyPatch) -> None:
    # Accelerators mask the whole batch instead of gathering the selected samples (no host sync); same views.
    import anyclr.plugins.image.views.subset as subset

    x = images(b=12)
    gen = SimCLRViews(image_size=16, blur_prob=0.5, solarize_prob=0.5)
    torch.manual_seed(4)
    gathered = gen(x)
    monkeypatch.setattr(subset, "gathers_subsets", lambda device: False)
    torch.manual_seed(4)
    masked = gen(x)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(gathered, masked, strict=True))
    assert torch.allclose(gaussian_blur(x.float(), torch.zeros(12), 5), x.float())  # sigma 0 is no blur
