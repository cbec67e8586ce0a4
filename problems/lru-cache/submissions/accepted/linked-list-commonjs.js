// Accepted (JavaScript, CommonJS): hash map + doubly linked list with two sentinel nodes,
// exported through module.exports.
'use strict';

function LRUCache(capacity) {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError('capacity must be an integer >= 1');
  }
  this.capacity = capacity;
  this.nodes = new Map();
  this.first = { prev: null, next: null }; // sentinel before the most recent node
  this.last = { prev: null, next: null }; // sentinel after the least recent node
  this.first.next = this.last;
  this.last.prev = this.first;
}

LRUCache.prototype.detach = function (node) {
  node.prev.next = node.next;
  node.next.prev = node.prev;
};

LRUCache.prototype.attachFront = function (node) {
  node.prev = this.first;
  node.next = this.first.next;
  this.first.next.prev = node;
  this.first.next = node;
};

LRUCache.prototype.get = function (key) {
  const node = this.nodes.get(key);
  if (!node) return undefined;
  this.detach(node);
  this.attachFront(node);
  return node.value;
};

LRUCache.prototype.put = function (key, value) {
  let node = this.nodes.get(key);
  if (node) {
    node.value = value;
    this.detach(node);
    this.attachFront(node);
    return;
  }
  if (this.nodes.size >= this.capacity) {
    const victim = this.last.prev;
    this.detach(victim);
    this.nodes.delete(victim.key);
  }
  node = { key, value, prev: null, next: null };
  this.attachFront(node);
  this.nodes.set(key, node);
};

Object.defineProperty(LRUCache.prototype, 'size', {
  get() {
    return this.nodes.size;
  },
});

module.exports = { LRUCache };
