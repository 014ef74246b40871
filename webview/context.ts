/** What every tab gets from the bootstrap: the state, the host channel, chart drawing and the panel's chrome. */
import type { PanelTab } from '../src/shared/protocol';
import type { HostChannel } from './hostChannel';
import type { PanelAction, PanelState } from './state';
import type { Plotter } from './theme';

export interface PanelContext {
  readonly state: PanelState;
  dispatch(action: PanelAction): void;
  readonly channel: HostChannel;
  readonly plot: Plotter;
  showTab(tab: PanelTab): void;
  setStatus(text: string): void;
  /** Shows a failed request in the status line (a superseded one stays silent). */
  reportError(error: unknown): void;
  /** Selects `index` alone, shows it in the Point tab and rings it on the scatter. */
  inspect(index: number): void;
  /** Makes `indices` the region selection (faded elsewhere on the scatter, summarised above the tabs); undefined clears it. */
  selectRegion(indices: number[] | undefined): void;
}
