// What the model gets wrong on the test evaluation: the confusion matrix, and the most confidently misclassified examples.
import { useEffect, useRef, useState } from 'react';
import type { Mistake } from '../core/confusion';
import { useStore } from '../store/store';
import { formatShare } from './format';
import { className, useStrings } from './i18n';

const NO_NAMES: string[] = [];

/** The confusion matrix: true class by row, predicted by column; the diagonal is what it gets right. */
export function ConfusionMatrix() {
  const confusion = useStore((s) => s.run.evaluation?.confusion ?? null);
  const names = useStore((s) => s.run.model?.classNames ?? NO_NAMES); // one empty array: a new one each call would loop
  const dataset = useStore((s) => s.run.model?.datasetName);
  const t = useStrings();
  if (!confusion) return null;
  const q = confusion.classes;
  const total = confusion.counts.reduce((a, b) => a + b, 0);
  const largest = Math.max(1, ...confusion.counts);
  const name = (c: number) => className(t, names, dataset, c);
  return (
    <figure className="chart confusion">
      <figcaption>{t.mistakes.confusionTitle(total)}</figcaption>
      <table aria-label={t.mistakes.confusion}>
        <thead>
          <tr>
            <th scope="col">{t.mistakes.trueClass}</th>
            {Array.from({ length: q }, (_, c) => (
              <th key={name(c)} scope="col">
                {name(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: q }, (_, row) => (
            <tr key={name(row)}>
              <th scope="row">{name(row)}</th>
              {Array.from({ length: q }, (_, col) => {
                const count = confusion.counts[row * q + col];
                const shade = count / largest;
                const colour = row === col ? `rgba(46, 125, 50, ${shade * 0.6})` : `rgba(198, 40, 40, ${shade * 0.6})`;
                return (
                  <td key={name(col)} style={{ background: colour }}>
                    {count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** One misclassified image, drawn from its pixels. */
function MistakeImage({ mistake, side, label }: { mistake: Mistake & { pixels?: Uint8Array }; side: number; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !mistake.pixels) return;
    const image = ctx.createImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      const v = 255 - mistake.pixels[i]; // dark clothes on a light ground
      image.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }, [mistake, side]);
  return <canvas ref={canvas} width={side} height={side} role="img" aria-label={label} />;
}

/** The test examples the model is most sure of and wrong about; choosing one shows every class's probability. */
export function MisclassifiedExamples() {
  const mistakes = useStore((s) => s.run.evaluation?.mistakes ?? null);
  const model = useStore((s) => s.run.model);
  const [chosen, setChosen] = useState(0);
  const t = useStrings();
  if (!mistakes || !model) return null;
  const name = (c: number) => className(t, model.classNames, model.datasetName, c);
  const explain = (m: Mistake) => t.mistakes.explain(name(m.label), name(m.predicted), formatShare(m.probabilities[m.predicted]));
  const shown = mistakes[Math.min(chosen, mistakes.length - 1)];
  return (
    <section className="chart mistakes" aria-label={t.mistakes.region}>
      <h2 className="panel-title">{t.mistakes.title}</h2>
      {mistakes.length === 0 ? (
        <p>{t.mistakes.none}</p>
      ) : (
        <>
          <ul className="mistake-list">
            {mistakes.map((m, i) => (
              <li key={m.index}>
                <button type="button" aria-pressed={i === chosen} onClick={() => setChosen(i)} title={explain(m)}>
                  {model.imageSide && m.pixels ? <MistakeImage mistake={m} side={model.imageSide} label={explain(m)} /> : <span>{explain(m)}</span>}
                </button>
              </li>
            ))}
          </ul>
          {shown && (
            <table aria-label={t.mistakes.probabilities} className="probabilities">
              <caption>{t.mistakes.chosen(shown.index, explain(shown))}</caption>
              <tbody>
                {shown.probabilities.map((p, c) => (
                  <tr key={name(c)}>
                    <th scope="row">{name(c)}</th>
                    <td>
                      <span className="bar" style={{ width: `${Math.round(p * 120)}px` }} />
                      {formatShare(p)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
