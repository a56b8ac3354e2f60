"""Image backbones: ResNet-18/34/50 (torchvision blocks, any width, CIFAR-style stem) and a tiny ConvNet."""
