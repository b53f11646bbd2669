/** Entry: pick the transport, set up i18n, render. Nothing heavy before the first queue page. */
import '@radix-ui/themes/styles.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createTransport } from './api/transport.factory';
import { App } from './app.view';
import { createI18n, readStoredLang } from './i18n';
import { ApiContext } from './state/api.context';

async function start(): Promise<void> {
  const transport = createTransport(window);
  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    storage = null;
  }
  const i18n = await createI18n(readStoredLang(storage));
  const syncLang = (): void => {
    document.documentElement.lang = i18n.language;
    document.title = i18n.t('app.title');
  };
  syncLang();
  i18n.on('languageChanged', syncLang);

  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing');
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <ApiContext.Provider value={transport}>
          <App />
        </ApiContext.Provider>
      </I18nextProvider>
    </StrictMode>,
  );
}

void start();
