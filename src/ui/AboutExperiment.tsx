// The panel that says what the chosen experiment shows: its caption and the book's section.
import { experimentById } from '../core/experiments';
import { useStore } from '../store/store';

export function AboutExperiment() {
  const id = useStore((s) => s.experiment);
  const experiment = id ? experimentById(id) : undefined;
  if (!experiment) return null;
  return (
    <section className="about-experiment" aria-label="About this experiment">
      <h2>
        About this experiment: {experiment.label} <span className="section">(Dive into Deep Learning {experiment.section})</span>
      </h2>
      <p>{experiment.caption}</p>
    </section>
  );
}
