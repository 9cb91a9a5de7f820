// libi2c has no pkg-config file; its i2c_smbus_* calls return -errno rather than setting errno.
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>
#include <sys/ioctl.h>
