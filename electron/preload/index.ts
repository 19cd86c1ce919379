// The sandboxed preload: bundled by scripts/build-electron.mjs into dist/electron/preload.cjs,
// because a sandboxed preload can only require('electron'). It exposes the generic bridge and
// nothing else; ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { listChannels } from '../contract/core';
import { contract } from '../contract';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('vantage', createBridge(ipcRenderer, listChannels(contract)));
