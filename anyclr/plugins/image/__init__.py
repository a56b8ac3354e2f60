"""Images: batched SimCLR views, ResNet/ConvNet backbones, folder/array/digits/Fashion-MNIST readers, recipes."""
