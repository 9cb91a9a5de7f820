#include <modbus/modbus.h>

// libmodbus builds its error numbers from macros Swift cannot import; re-export them as constants.
static const int brew_modbus_EMBXILFUN = EMBXILFUN;
static const int brew_modbus_EMBXILADD = EMBXILADD;
static const int brew_modbus_EMBXILVAL = EMBXILVAL;
static const int brew_modbus_EMBXSFAIL = EMBXSFAIL;
static const int brew_modbus_EMBXSBUSY = EMBXSBUSY;
static const int brew_modbus_EMBBADCRC = EMBBADCRC;
static const int brew_modbus_EMBBADDATA = EMBBADDATA;
static const int brew_modbus_EMBBADEXC = EMBBADEXC;
static const int brew_modbus_EMBMDATA = EMBMDATA;
static const int brew_modbus_EMBBADSLAVE = EMBBADSLAVE;
