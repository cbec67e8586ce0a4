// Accepted (JavaScript, ESM): a Map from key to node plus a doubly linked list, newest first.
class Node {
  constructor(key, value) {
    this.key = key;
    this.value = value;
    this.prev = null;
    this.next = null;
  }
}

export class LRUCache {
  #capacity;
  #nodes = new Map();
  #newest = null;
  #oldest = null;

  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`invalid capacity: ${capacity}`);
    this.#capacity = capacity;
  }

  get size() {
    return this.#nodes.size;
  }

  get(key) {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    this.#remove(node);
    this.#pushNewest(node);
    return node.value;
  }

  put(key, value) {
    let node = this.#nodes.get(key);
    if (node !== undefined) {
      node.value = value;
      this.#remove(node);
    } else {
      if (this.#nodes.size === this.#capacity) {
        const victim = this.#oldest;
        this.#remove(victim);
        this.#nodes.delete(victim.key);
      }
      node = new Node(key, value);
      this.#nodes.set(key, node);
    }
    this.#pushNewest(node);
  }

  #remove(node) {
    if (node.prev) node.prev.next = node.next;
    else this.#newest = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#oldest = node.prev;
    node.prev = node.next = null;
  }

  #pushNewest(node) {
    node.next = this.#newest;
    if (this.#newest) this.#newest.prev = node;
    this.#newest = node;
    if (!this.#oldest) this.#oldest = node;
  }
}
