#include "tcp/counters.h"

namespace tern::tcp {

void Counters::count_parse_error(ParseResult r) {
    switch (r) {
        case ParseResult::Ok:
            break;
        case ParseResult::Truncated:
            parse_truncated.inc();
            break;
        case ParseResult::DataOffsetTooSmall:
            parse_bad_data_offset.inc();
            break;
        case ParseResult::DataOffsetBeyondSegment:
            parse_offset_beyond_segment.inc();
            break;
        case ParseResult::OptionOverrun:
            parse_option_overrun.inc();
            break;
        case ParseResult::OptionZeroLength:
            parse_option_zero_length.inc();
            break;
        case ParseResult::OptionOneLength:
            parse_option_one_length.inc();
            break;
    }
}

}  // namespace tern::tcp
