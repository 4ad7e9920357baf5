// The per-layer table: every layer's shape, how far apart its units are, and its latest ‖∂J/∂W_l‖_F, input layer first.
import { useShallow } from 'zustand/react/shallow';
import { signalsOf } from '../core/inspection';
import { useStore } from '../store/store';
import { formatNumber } from './format';
import { useStrings } from './i18n';

const NO_LAYERS: [number, number][] = [];

export function LayerTable() {
  const t = useStrings();
  const { shapes, norms, evaluation } = useStore(
    useShallow((s) => ({ shapes: s.run.model?.shapes ?? NO_LAYERS, norms: s.run.latest?.gradNorms ?? null, evaluation: s.run.evaluation })),
  );
  const spread = evaluation?.unitSpread ?? null;
  const inside = evaluation?.inside ?? null;
  // of the model shown: an evaluation of an earlier model has another depth
  const signals = inside && inside.layers.length === shapes.length ? signalsOf(inside) : null;
  const figure = (values: readonly number[] | null | undefined, l: number) => (values && l < values.length ? formatFigure(values[l]) : '–');
  return (
    // a narrow screen scrolls the table, not the page
    <div className="table-scroll">
      <table className="layers" aria-label={t.table.label}>
        <caption>{t.table.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.table.layer}</th>
            <th scope="col">{t.table.shape}</th>
            <th scope="col" title={t.table.spreadTip}>
              {t.table.spread}
            </th>
            <th scope="col" title={t.table.rmsTip}>
              {t.table.rms}
            </th>
            <th scope="col" title={t.table.backwardTip}>
              {t.table.backward}
            </th>
            <th scope="col">{t.table.gradient}</th>
          </tr>
        </thead>
        <tbody>
          {shapes.map(([fanIn, fanOut], l) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a layer is its position in the model
            <tr key={l}>
              <th scope="row">{l === shapes.length - 1 ? t.table.output(l + 1) : l + 1}</th>
              <td>
                {fanIn} × {fanOut}
              </td>
              <td>{spread && l < spread.length && l < shapes.length - 1 ? formatNumber(spread[l]) : '–'}</td>
              <td>{figure(signals?.activationRms, l)}</td>
              <td>{figure(signals?.backwardNorm, l)}</td>
              <td>{norms && l < norms.length ? formatNumber(norms[l], 4) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A figure of the table: four significant digits (the ratios between layers are read from them). */
const formatFigure = (value: number) => formatNumber(value, 4);
