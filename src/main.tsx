// Entry of the browser app: starts the training worker bridge and mounts the playground.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startBridge } from './store/worker-bridge';
import { App } from './ui/App';
import './ui/styles.css';

startBridge();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
