// Fashion-MNIST in the project's compact binary form: layout, class names, and the parser.
import { checkSplit, type Dataset } from './dataset';

export const FASHION_MNIST = {
  imageSide: 28,
  inputDim: 784,
  numClasses: 10,
  trainPerClass: 6000,
  testPerClass: 1000,
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  /** File names, relative to the data folder (public/data/fashion-mnist). */
  files: {
    trainImages: 'train-images.u8',
    trainLabels: 'train-labels.u8',
    testImages: 'test-images.u8',
    testLabels: 'test-labels.u8',
  },
} as const;

/** Builds the dataset from the four binaries: u8 pixels (count × 784) and u8 labels (count). */
export function fashionMnistFromBytes(bytes: { trainImages: Uint8Array; trainLabels: Uint8Array; testImages: Uint8Array; testLabels: Uint8Array }): Dataset {
  const { inputDim, numClasses, classNames } = FASHION_MNIST;
  const dataset: Dataset = {
    name: 'fashion-mnist',
    inputDim,
    numClasses,
    classNames,
    train: { count: bytes.trainLabels.length, features: bytes.trainImages, featureScale: 1 / 255, labels: bytes.trainLabels },
    test: { count: bytes.testLabels.length, features: bytes.testImages, featureScale: 1 / 255, labels: bytes.testLabels },
  };
  checkSplit('fashion-mnist train', dataset.train, inputDim, numClasses);
  checkSplit('fashion-mnist test', dataset.test, inputDim, numClasses);
  return dataset;
}
