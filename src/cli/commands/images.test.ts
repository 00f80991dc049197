import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageRefs } from './images.js';
import type { ImageSummary } from '../../api/types/index.js';

const img = (tags: string[], digests: string[] = []): ImageSummary => ({
  Id: 'sha256:' + 'a'.repeat(64), ParentId: '', RepoTags: tags, RepoDigests: digests, Created: 0, Size: 0, SharedSize: -1, Labels: null, Containers: -1,
});

test('one row per repository:tag in familiar form; dangling images are <none>', () => {
  assert.deepEqual(imageRefs(img(['busybox:latest', 'docker.io/library/busybox:v1', 'localhost:5000/x/y:z']), false), [
    { repo: 'busybox', tag: 'latest', digest: '<none>' },
    { repo: 'busybox', tag: 'v1', digest: '<none>' },
    { repo: 'localhost:5000/x/y', tag: 'z', digest: '<none>' },
  ]);
  assert.deepEqual(imageRefs(img([]), false), [{ repo: '<none>', tag: '<none>', digest: '<none>' }]);
  assert.deepEqual(imageRefs(img(['<none>:<none>']), false), [{ repo: '<none>', tag: '<none>', digest: '<none>' }]);
});

test('digests show with --digests; digest-only repositories get a <none> tag', () => {
  const d = 'sha256:' + 'b'.repeat(64);
  assert.deepEqual(imageRefs(img(['busybox:latest'], [`busybox@${d}`]), true), [{ repo: 'busybox', tag: 'latest', digest: d }]);
  assert.deepEqual(imageRefs(img([], [`busybox@${d}`]), false), [{ repo: 'busybox', tag: '<none>', digest: '' }]);
});
