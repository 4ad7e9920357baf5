// What the model gets wrong on an evaluated split: the confusion matrix, and the examples it is most sure of and wrong about.

/** counts[true · classes + predicted]: how often each true class was predicted as each class. */
export interface Confusion {
  classes: number;
  counts: number[];
}

/** A test example the model gets wrong: its index in the split, true and predicted class, and every class's probability. */
export interface Mistake {
  index: number;
  label: number;
  predicted: number;
  probabilities: number[];
}

function argmax(values: ArrayLike<number>, from: number, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++) if (values[from + j] > values[from + best]) best = j;
  return best;
}

/** The confusion matrix of predictions (labels, and probabilities count × classes). */
export function confusionMatrix(labels: ArrayLike<number>, probabilities: ArrayLike<number>, classes: number): Confusion {
  const counts = new Array<number>(classes * classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] * classes + argmax(probabilities, i * classes, classes)] += 1;
  return { classes, counts };
}

/** Up to `most` misclassified examples, the most confidently wrong first (ties: the lower index). */
export function worstMistakes(labels: ArrayLike<number>, probabilities: ArrayLike<number>, classes: number, most: number): Mistake[] {
  const wrong: Mistake[] = [];
  for (let i = 0; i < labels.length; i++) {
    const predicted = argmax(probabilities, i * classes, classes);
    if (predicted === labels[i]) continue;
    wrong.push({ index: i, label: labels[i], predicted, probabilities: Array.from({ length: classes }, (_, j) => probabilities[i * classes + j]) });
  }
  wrong.sort((a, b) => b.probabilities[b.predicted] - a.probabilities[a.predicted] || a.index - b.index);
  return wrong.slice(0, most);
}
