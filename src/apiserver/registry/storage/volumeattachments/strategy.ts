// VolumeAttachment (storage.k8s.io/v1 volumeattachments).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'VolumeAttachment',
    listKind: 'VolumeAttachmentList',
    resource: 'volumeattachments',
    singular: 'volumeattachment',
    namespaced: false,
  },
  status: {},
});
