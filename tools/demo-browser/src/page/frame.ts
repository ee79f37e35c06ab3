/**
 * An iframe of the demo: an agent attached to the page's in-page sentinel over BroadcastChannel.
 * `role=greeter` serves `greeter@fame.fabric`; `role=caller` calls it and the counter the top
 * page serves, shows the results and posts them to the top page.
 */
import { createFabric } from '@naylence/fabric';
import { staticTokenProvider } from '@naylence/security';
import { broadcastChannelDialer } from '@naylence/transport-inpage';
import { show } from './ui.js';

const params = new URLSearchParams(location.hash.slice(1));
const role = params.get('role') ?? 'greeter';
const channelName = params.get('channel') ?? '';
const secret = params.get('secret') ?? '';
const post = (message: Record<string, unknown>) => window.parent.postMessage(message, location.origin);

async function main(): Promise<void> {
  document.getElementById('role')!.textContent = role === 'greeter' ? 'Frame A — serves greeter' : 'Frame B — calls greeter and counter';
  const fabric = await createFabric({ connect: broadcastChannelDialer({ channelName, tokenProvider: staticTokenProvider(secret) }) });
  if (role === 'greeter') {
    await fabric.serve('greeter@fame.fabric', { hello: ({ from }: { from: string }) => `Hello, ${from}, from frame A` });
    show('frame-state', 'ok', `serving greeter@fame.fabric as ${fabric.physicalPath}`);
    post({ kind: 'ready', role });
    return;
  }
  const greeting = await fabric.invoke<string>('greeter@fame.fabric', 'hello', { from: 'frame B' });
  const counter = await fabric.invoke<number>('counter@fame.fabric', 'next', {});
  show('frame-state', 'ok', `${greeting}; counter = ${counter}`, { greeting, counter });
  post({ kind: 'result', role, greeting, counter });
}

main().catch((error: unknown) => {
  show('frame-state', 'error', String(error));
  post({ kind: role === 'greeter' ? 'ready' : 'result', role, error: String(error) });
});
