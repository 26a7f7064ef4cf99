"""The console's pages: importing a module registers its views on ``console.web.bp``."""
PAGES = ("auth", "offices", "rooms", "notices")
