// The per-layer table: every layer's shape, how far apart its units are, and its latest ‖∂J/∂W_l‖_F, input layer first.
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { formatNumber } from './format';

const NO_LAYERS: [number, number][] = [];

export function LayerTable() {
  const { shapes, norms, evaluation } = useStore(
    useShallow((s) => ({ shapes: s.run.model?.shapes ?? NO_LAYERS, norms: s.run.latest?.gradNorms ?? null, evaluation: s.run.evaluation })),
  );
  const spread = evaluation?.unitSpread ?? null;
  const signals = evaluation?.signals?.activationRms.length === shapes.length - 1 ? evaluation.signals : null;
  const figure = (values: readonly number[] | null | undefined, l: number) => (values && l < values.length ? formatFigure(values[l]) : '–');
  return (
    // a narrow screen scrolls the table, not the page
    <div className="table-scroll">
      <table className="layers" aria-label="Per-layer gradient norm">
        <caption>Per-layer gradient norm ‖∂J/∂W‖_F (latest step)</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">W shape</th>
            <th scope="col" title="max |w_ij − w_i1| over the units j of a hidden layer: 0 when every unit is the same">
              Units differ by
            </th>
            <th scope="col" title="root mean square of the layer's activations h over the batch, going forward">
              RMS of h
            </th>
            <th scope="col" title="‖∂J/∂z‖ over the batch, going backward (∂J/∂o for the output layer)">
              ‖∂J/∂z‖_F
            </th>
            <th scope="col">‖∂J/∂W‖_F</th>
          </tr>
        </thead>
        <tbody>
          {shapes.map(([fanIn, fanOut], l) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a layer is its position in the model
            <tr key={l}>
              <th scope="row">{l === shapes.length - 1 ? `${l + 1} (output)` : l + 1}</th>
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
