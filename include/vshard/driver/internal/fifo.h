// A small FIFO on a power-of-two ring buffer. It grows (doubling) only when
// full, so a steady state allocates nothing. Private to driver/.
#pragma once

#include <cstddef>
#include <vector>

namespace vshard::driver {

template <class T>
class Fifo {
 public:
  explicit Fifo(size_t capacity = 64) {
    size_t c = 1;
    while (c < capacity) c <<= 1;
    buf_.resize(c);
  }
  bool empty() const { return head_ == tail_; }
  size_t size() const { return tail_ - head_; }
  T& front() { return buf_[head_ & (buf_.size() - 1)]; }
  const T& operator[](size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  void push(const T& v) {
    if (size() == buf_.size()) grow();
    buf_[tail_++ & (buf_.size() - 1)] = v;
  }
  void pop() { ++head_; }
  void clear() { head_ = tail_ = 0; }
  std::vector<T> to_vector() const {
    std::vector<T> out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i]);
    return out;
  }

 private:
  void grow() {
    std::vector<T> next(buf_.size() * 2);
    for (size_t i = 0; i < size(); ++i) next[i] = (*this)[i];
    tail_ = size();
    head_ = 0;
    buf_.swap(next);
  }
  std::vector<T> buf_;
  size_t head_ = 0, tail_ = 0;
};

}  // namespace vshard::driver
