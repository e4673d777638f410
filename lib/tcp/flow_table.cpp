#include "tcp/flow_table.h"

#include <bit>

namespace tern::tcp {

namespace {
uint64_t slots_for(uint32_t entries) {
    return std::bit_ceil(uint64_t(entries < 8 ? 8 : entries) * 2);
}
}  // namespace

FlowTable::FlowTable(uint32_t entries)
    : mask_(uint32_t(slots_for(entries) - 1)),
      limit_(uint32_t(slots_for(entries) / 2)),
      slots_(slots_for(entries)),
      groups_(((slots_for(entries) >> kGroupShift) + 63) / 64) {}

uint32_t FlowTable::locate(const Tuple& t, uint32_t hash) const {
    if (!group_used(hash & mask_)) return UINT32_MAX;
    for (uint32_t i = hash & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.ref == 0) return UINT32_MAX;
        if (s.hash == hash && s.key == t) return i;
    }
}

uint32_t FlowTable::find(const Tuple& t, uint32_t hash) const {
    const uint32_t i = locate(t, hash);
    return i == UINT32_MAX ? 0 : slots_[i].ref;
}

bool FlowTable::insert(const Tuple& t, uint32_t hash, uint32_t ref) {
    if (size_ >= limit_) return false;
    uint32_t i = hash & mask_;
    while (slots_[i].ref != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{t, ref, hash};
    mark_group(i);
    ++size_;
    ++gen_;
    return true;
}

void FlowTable::replace(const Tuple& t, uint32_t hash, uint32_t ref) {
    const uint32_t i = locate(t, hash);
    if (i != UINT32_MAX) slots_[i].ref = ref;
    ++gen_;
}

void FlowTable::erase(const Tuple& t, uint32_t hash) {
    uint32_t hole = locate(t, hash);
    if (hole == UINT32_MAX) return;
    --size_;
    ++gen_;
    // Backward-shift deletion (Knuth 6.4 algorithm R): move each later entry
    // of the run into the hole unless its home slot lies cyclically in
    // (hole, j], where it must stay to remain reachable.
    for (uint32_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
        Slot& s = slots_[j];
        if (s.ref == 0) break;
        const uint32_t home = s.hash & mask_;
        const bool stays = ((j - home) & mask_) < ((j - hole) & mask_);
        if (stays) continue;
        slots_[hole] = s;
        hole = j;
    }
    slots_[hole].ref = 0;
    unmark_group_if_empty(hole);
}

void FlowTable::unmark_group_if_empty(uint32_t slot) {
    const uint32_t first = slot & ~((1u << kGroupShift) - 1);
    for (uint32_t i = first; i < first + (1u << kGroupShift); ++i)
        if (slots_[i].ref != 0) return;
    const uint32_t g = slot >> kGroupShift;
    groups_[g >> 6] &= ~(uint64_t(1) << (g & 63));
}

}  // namespace tern::tcp
