// The list of commands (one file each). Add a command by adding its register function here.
import type { Command } from 'commander';
import { register as version } from './version.js';
import { register as scheduler } from './scheduler.js';
import { register as controllerManager } from './controller-manager.js';
import { register as apiserver } from './apiserver.js';
import { register as server } from './server.js';
import { register as etcd } from './etcd.js';
import { register as kubelet } from './kubelet.js';
import { register as proxy } from './proxy.js';
import { register as images } from './images.js';
import { register as agent } from './agent.js';
import { register as token } from './token.js';
import { register as killall } from './killall.js';
import { register as init } from './init.js';

export const commands: Array<(program: Command) => void> = [version, scheduler, controllerManager, apiserver, server, etcd, kubelet, proxy, images, agent, token, killall, init];
